"""clingen_hf: knowledge-infused synthetic clinical training data (ClinGen) on the Hugging Face stack."""

__version__ = "0.1.0"
