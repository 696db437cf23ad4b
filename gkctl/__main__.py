from gkctl.cli.app import run

run()
