"""Source stage: discover the files, parse each once (with a cache), and record what each imports."""
