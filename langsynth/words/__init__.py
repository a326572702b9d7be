"""Package data: word lists for vocabulary injection and the self-instruct seed tasks."""
