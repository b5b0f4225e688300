// StatusBoard: the latest evaluation of every SLO, published by the evaluator and read by the
// HTTP API and the CLI.
//
// Thread-safety: publish() and snapshot() may be called from any thread. A snapshot is immutable
// and stays valid after later publishes (readers never block the evaluator for long).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "sloe/core/labels.h"
#include "sloe/slo/evaluator.h"

namespace sloe::api {

// One SLO as the API shows it: its definition and its latest status.
struct SloReport {
  std::string name;
  std::string service;
  std::string description;
  std::string sli_kind;  // "availability" or "latency"
  std::string probe;
  double latency_threshold_seconds = 0;  // latency SLIs only
  std::string runbook_url;
  Labels labels;
  slo::Objective objective;
  slo::Status status;
};

struct Board {
  TimePoint published_at;
  double evaluation_seconds = 0;  // how long the tick that produced it took
  std::vector<SloReport> slos;
};

class StatusBoard {
 public:
  void publish(Board board) {
    auto next = std::make_shared<const Board>(std::move(board));
    const std::lock_guard lock(mutex_);
    current_ = std::move(next);
  }
  // Null until the first publish.
  std::shared_ptr<const Board> snapshot() const {
    const std::lock_guard lock(mutex_);
    return current_;
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Board> current_;
};

}  // namespace sloe::api
