from gkctl.cli import main

main()
