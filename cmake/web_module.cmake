# How the browser build links: bayes.js (a factory, createBayes) and
# bayes.wasm. The page calls main() through callMain for each run, as the
# command line does, with the model and data files in Emscripten's in-memory
# file system; the REPL panel calls bayes_repl_line (src/cli/main.cpp).
set(BAYES_WEB_LINK_FLAGS
  -sMODULARIZE=1 -sEXPORT_NAME=createBayes
  -sINVOKE_RUN=0 -sEXIT_RUNTIME=0
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=2GB -sTOTAL_STACK=8MB
  -sFORCE_FILESYSTEM=1 -sENVIRONMENT=web,worker,node
  "-sEXPORTED_FUNCTIONS=_main,_bayes_repl_line,_bayes_repl_status,_bayes_repl_reset"
  "-sEXPORTED_RUNTIME_METHODS=callMain,FS,ccall")
target_link_options(bayes PRIVATE ${BAYES_WEB_LINK_FLAGS})
# Debian's emscripten runs its JavaScript tools at link time with the
# machine's node, which must find Debian's node modules (acorn) whatever node
# it is.
set_property(TARGET bayes PROPERTY RULE_LAUNCH_LINK
             "${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs")
