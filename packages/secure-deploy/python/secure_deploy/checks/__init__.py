"""Pure checks, one module per guidance topic. Facts in, findings out: no IO here."""
