"""cloudtwin: a local twin of AWS and Alibaba Cloud networking, on loopback only."""

__version__ = "0.1.0"
