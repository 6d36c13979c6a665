# Writes the file IN as a C++ raw string literal into OUT (for #include).
file(READ ${IN} content)
file(WRITE ${OUT} "R\"bayes_prelude(${content})bayes_prelude\"\n")
