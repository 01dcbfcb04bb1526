"""Operators' command line: `hotline catalog import DIR`, `hotline calendar load FILE`, ..."""
