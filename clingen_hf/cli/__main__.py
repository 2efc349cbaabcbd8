import sys

from clingen_hf.cli import main

sys.exit(main())
