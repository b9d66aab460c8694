"""`python -m fencelab`: the installed `fencelab` command (fencelab/launch.py), for a Python
whose scripts' folder is not on the path."""

from fencelab.launch import main

main()
