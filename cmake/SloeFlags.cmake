# sloe_flags: the one interface target every sloe target links for warnings and sanitizers.
add_library(sloe_flags INTERFACE)
add_library(sloe::flags ALIAS sloe_flags)
target_compile_options(sloe_flags INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                            -Wold-style-cast -Wcast-align -Wnull-dereference)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  # GCC 12 at -O3 reports false -Wrestrict inside std::string operator+ (GCC bug 105329).
  target_compile_options(sloe_flags INTERFACE -Wno-restrict)
endif()
if(SLOE_WERROR)
  target_compile_options(sloe_flags INTERFACE -Werror)
endif()
if(SLOE_SANITIZE)
  target_compile_options(sloe_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                              -fno-sanitize-recover=undefined)
  target_link_options(sloe_flags INTERFACE -fsanitize=address,undefined)
  # GCC 12 reports false -Wmaybe-uninitialized inside <regex> and std::function under ASan.
  target_compile_options(sloe_flags INTERFACE -Wno-maybe-uninitialized)
endif()

# sloe_add_module(NAME SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# Defines sloe_<NAME> (alias sloe::<NAME>) with include/ as its public include directory.
function(sloe_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(sloe_${name} STATIC ${ARG_SOURCES})
  add_library(sloe::${name} ALIAS sloe_${name})
  target_include_directories(sloe_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(sloe_${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE sloe::flags ${ARG_PRIVATE_DEPS})
endfunction()

# sloe_add_test(NAME SOURCES ... DEPS ...): a GoogleTest executable registered with ctest.
function(sloe_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE sloe::flags ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${ARG_LABELS}")
endfunction()
