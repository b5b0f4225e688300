// CurlTransfer: one HTTP or TCP run as a configured libcurl easy handle, and the reading of its
// outcome into a ProbeResult. Knows nothing about the event loop that drives it.
//
// Thread-safety: none; used on the loop thread only.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

#include "prepared_probe.h"
#include "sloe/core/result.h"
#include "sloe/probe/result.h"

namespace sloe::probe::detail {

// curl_global_init, once per process (never cleaned up: other threads may still use curl).
Status ensure_curl_initialized();

class CurlTransfer {
 public:
  // REQUIRES: probe.kind is kHttp or kTcp, probe.setup_error is empty; probe outlives the
  // transfer.
  static Result<std::unique_ptr<CurlTransfer>> create(const PreparedProbe& probe,
                                                      bool reuse_connections);
  ~CurlTransfer();  // REQUIRES: the handle is no longer in a multi handle

  CurlTransfer(const CurlTransfer&) = delete;
  CurlTransfer& operator=(const CurlTransfer&) = delete;

  CURL* easy() const { return easy_; }

  // Fills phases, HTTP status and version, certificate expiry, success and failure from curl's
  // result code and the response. duration_seconds is left to the caller.
  void complete(CURLcode code, ProbeResult& result) const;

 private:
  explicit CurlTransfer(const PreparedProbe& probe) : probe_(probe) {}
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);

  const PreparedProbe& probe_;
  CURL* easy_ = nullptr;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  bool capture_body_ = false;
  std::string body_;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace sloe::probe::detail
