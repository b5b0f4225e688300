# Every dependency comes from a Debian package (see THIRD_PARTY.md); nothing is downloaded.
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
find_package(date CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(CURL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(OpenSSL REQUIRED)
# Mustache templates for postmortem exports (MIT; pulls in Boost headers, BSL-1.0).
find_package(mstch CONFIG REQUIRED)
# cpp-httplib is a compiled library in Debian; its pkg-config file carries the
# CPPHTTPLIB_*_SUPPORT defines that must match how it was built.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
