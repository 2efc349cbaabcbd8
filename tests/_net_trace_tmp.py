import socket
_gai = socket.getaddrinfo
def gai(host, *a, **k):
    if host not in ("127.0.0.1", "localhost"):
        print("NETTRACE getaddrinfo", host)
    return _gai(host, *a, **k)
socket.getaddrinfo = gai
_connect = socket.socket.connect
def connect(self, addr):
    if isinstance(addr, tuple) and addr[0] != "127.0.0.1":
        print("NETTRACE connect", addr)
    return _connect(self, addr)
socket.socket.connect = connect
