"""Fine-tune on synthetic data with the paper's two-stage protocol.

    accelerate launch train.py trainer_configs/ncbi-disease-pubmedbert-base.yaml
    python train.py trainer_configs/ncbi-disease-minilm-cpu.yaml --synthetic out/ncbi-synthetic:clingen-kg
"""

import sys

from clingen_hf.cli.train import main

if __name__ == "__main__":
    sys.exit(main())
