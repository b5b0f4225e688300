// Socket options for sloe's HTTP listeners.
#pragma once

namespace httplib {
class Server;
}

namespace sloe::api {

// cpp-httplib sets SO_REUSEPORT by default, which lets a second process bind the same port and
// silently take half the requests. sloe listeners keep SO_REUSEADDR (fast restarts) only, so a
// second agent on a busy port fails to start with a clear error instead.
// REQUIRES: called before the server binds.
void refuse_shared_port(httplib::Server& server);

}  // namespace sloe::api
