from shaosheng.cli import main

main()
