from storysync.cli.app import main

main()
