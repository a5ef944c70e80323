from auditor.cli.entrypoint import main

main()
