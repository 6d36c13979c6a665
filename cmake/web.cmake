# The WebAssembly build (Emscripten: `emcmake cmake -DBAYES_WEB=ON`, run by
# scripts/build-web.sh). The same sources as the native build; the libraries
# it needs are Debian's:
#  - the header-only ones (PEGTL, Boost.Math, Eigen, nlohmann-json, CLI11,
#    fmt in its header-only mode, fast_float, LBFGS++) are read from the host's
#    /usr/include through a folder of links to those libraries alone, since
#    /usr/include itself holds glibc's headers, which must not shadow
#    Emscripten's C library;
#  - liblbfgs (a C library) is compiled from its Debian source package,
#    unpacked by scripts/build-web.sh into LIBLBFGS_SOURCE_DIR;
#  - libedit is left out: the page has no terminal (the REPL reads lines).
# Defines the same imported targets the native build finds with find_package.

set(BAYES_HOST_INCLUDE /usr/include CACHE PATH "where the host's Debian -dev headers are")
set(LIBLBFGS_SOURCE_DIR "" CACHE PATH "liblbfgs's Debian source, unpacked")
if(NOT EXISTS "${LIBLBFGS_SOURCE_DIR}/lib/lbfgs.c")
  message(FATAL_ERROR "the web build needs liblbfgs's source: LIBLBFGS_SOURCE_DIR='${LIBLBFGS_SOURCE_DIR}' "
                      "has no lib/lbfgs.c (scripts/build-web.sh fetches it)")
endif()

set(web_include ${PROJECT_BINARY_DIR}/host-include)
file(MAKE_DIRECTORY ${web_include})
foreach(entry tao boost nlohmann CLI fmt fast_float LBFGS.h LBFGSpp)
  if(NOT EXISTS ${BAYES_HOST_INCLUDE}/${entry})
    message(FATAL_ERROR "${BAYES_HOST_INCLUDE}/${entry} is missing (scripts/install-deps.sh installs it)")
  endif()
  file(CREATE_LINK ${BAYES_HOST_INCLUDE}/${entry} ${web_include}/${entry} SYMBOLIC)
endforeach()
file(CREATE_LINK ${BAYES_HOST_INCLUDE}/eigen3/Eigen ${web_include}/Eigen SYMBOLIC)

function(bayes_header_target name)
  add_library(${name} INTERFACE IMPORTED)
  target_include_directories(${name} SYSTEM INTERFACE ${web_include})
endfunction()
bayes_header_target(taocpp::pegtl)
bayes_header_target(Boost::headers)
bayes_header_target(Eigen3::Eigen)
bayes_header_target(nlohmann_json::nlohmann_json)
bayes_header_target(CLI11::CLI11)
bayes_header_target(FastFloat::fast_float)
bayes_header_target(fmt::fmt)
target_compile_definitions(fmt::fmt INTERFACE FMT_HEADER_ONLY=1)

# liblbfgs as Debian builds it, without its SSE2 paths (none in WebAssembly).
add_library(lbfgs_web STATIC ${LIBLBFGS_SOURCE_DIR}/lib/lbfgs.c)
set_target_properties(lbfgs_web PROPERTIES LINKER_LANGUAGE C)
target_include_directories(lbfgs_web PUBLIC ${LIBLBFGS_SOURCE_DIR}/include)
target_compile_options(lbfgs_web PRIVATE -w)  # third-party code: its warnings are not ours
set(LBFGSPP_INCLUDE_DIR ${web_include})
set(LIBLBFGS_INCLUDE_DIR ${LIBLBFGS_SOURCE_DIR}/include)
set(LIBLBFGS_LIBRARY lbfgs_web)

# C++ exceptions carry the model's errors: WebAssembly's own exception
# handling (every current browser has it) is smaller and faster than
# Emscripten's JavaScript emulation.
add_compile_options(-fwasm-exceptions)
add_link_options(-fwasm-exceptions)
