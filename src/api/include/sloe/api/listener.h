// Running a cpp-httplib server on a background thread, the way every sloe listener does.
//
// The header names httplib only by forward declaration; callers that pass a server already
// include httplib.h in their .cpp.
#pragma once

#include <string>
#include <thread>

#include "sloe/core/result.h"

namespace httplib {
class Server;
}

namespace sloe::api {

// Binds `server` to host:port (port 0: any free port), starts its accept loop on `thread`, and
// returns the bound port once the loop runs. cpp-httplib sets SO_REUSEPORT by default, which lets
// a second process bind the same port and silently take half the requests; sloe keeps only
// SO_REUSEADDR, so a second agent on a busy port fails here instead.
// Error: "cannot listen on HOST:PORT: address in use, not local, or not permitted".
// REQUIRES: the server's routes are installed; `thread` is not running.
Result<int> serve_in_background(httplib::Server& server, const std::string& host, int port,
                                std::thread& thread);

// Stops the accept loop, lets in-flight requests finish, and joins `thread`.
void stop_serving(httplib::Server& server, std::thread& thread);

}  // namespace sloe::api
