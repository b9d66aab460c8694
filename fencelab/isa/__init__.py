"""ISA targets: assemble (keystone + our LSE encoder), disassemble (capstone), run (Unicorn), classify."""
