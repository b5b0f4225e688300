#include "sloe/config/model.h"

namespace sloe::config {
namespace {

struct TargetOf {
  std::string operator()(const HttpProbeSpec& http) const { return http.url; }
  std::string operator()(const TcpProbeSpec& tcp) const {
    // host:port must stay unambiguous for IPv6 literals.
    const bool v6 = tcp.host.find(':') != std::string::npos;
    return (v6 ? "[" + tcp.host + "]" : tcp.host) + ":" + std::to_string(tcp.port);
  }
  std::string operator()(const DnsProbeSpec& dns) const { return dns.query_name; }
};

}  // namespace

std::string ProbeSpec::target() const {
  return std::visit(TargetOf{}, kind);
}

}  // namespace sloe::config
