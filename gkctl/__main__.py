from gkctl.cli.app import main

main()
