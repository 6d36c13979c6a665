// The conditional model of the quadrature engine: receives a component and a
// parameter q, produces the component given q, solved by the conjugate rules.
#include "quadrature/conditional.hpp"

#include <algorithm>
#include <memory>

#include "conjugate/rule.hpp"
#include "graph/view.hpp"
#include "patterns/patterns.hpp"

namespace bayes::quadrature {

namespace {

// n with every Param(q) replaced by Data(slot); the same node when q is absent.
ir::NodePtr substitute(const ir::NodePtr& n, std::size_t q, std::size_t slot) {
  if (!n) return n;
  if (n->op == ir::Op::Param && n->ref == q) {
    auto d = std::make_shared<ir::Node>(*n);
    d->op = ir::Op::Data;
    d->ref = slot;
    return d;
  }
  bool changed = false;
  std::vector<ir::NodePtr> args;
  args.reserve(n->args.size());
  for (const auto& a : n->args) {
    args.push_back(substitute(a, q, slot));
    changed = changed || args.back() != a;
  }
  if (!changed) return n;
  auto copy = std::make_shared<ir::Node>(*n);
  copy->args = std::move(args);
  return copy;
}

void substitute_all(std::vector<ir::NodePtr>& nodes, std::size_t q, std::size_t slot) {
  for (auto& n : nodes) n = substitute(n, q, slot);
}

}  // namespace

std::optional<Conditional> Conditional::make(const Model& m, const graph::Component& c,
                                             std::size_t q) {
  const Prior& own = m.priors[m.params[q].prior];
  if (own.params.size() != 1) return std::nullopt;
  for (const auto& a : own.args)
    if (!ir::is_data_only(*a)) return std::nullopt;
  if (c.params.size() < 2) return std::nullopt;
  // A `factor` term is no conjugate block's; one on q alone would be lost below.
  for (const auto& t : m.terms)
    for (auto p : ir::params_of(*t.expr))
      if (std::find(c.params.begin(), c.params.end(), p) != c.params.end()) return std::nullopt;

  Conditional out;
  out.q_ = q;
  out.model_ = m;
  Model& cm = out.model_;
  out.slot_ = cm.data.size();
  DataVar slot;
  slot.name = m.params[q].name;
  slot.value = Value::scalar(0);
  slot.span = m.params[q].span;
  cm.data.push_back(std::move(slot));
  for (std::size_t i = 0; i < cm.priors.size(); ++i)
    if (i != m.params[q].prior) substitute_all(cm.priors[i].args, q, out.slot_);
  for (auto& o : cm.observations) substitute_all(o.args, q, out.slot_);
  for (auto& l : cm.lets) l.expr = substitute(l.expr, q, out.slot_);
  out.graph_ = graph::build(cm);
  for (auto p : c.params) {
    if (p == q) continue;
    const std::size_t piece = out.graph_.param_component[p];
    if (std::find(out.pieces_.begin(), out.pieces_.end(), piece) == out.pieces_.end())
      out.pieces_.push_back(piece);
  }
  return out;
}

bool Conditional::supports(double x) {
  model_.data[slot_].value = Value::scalar(x);
  for (auto piece : pieces_)
    for (auto oi : graph::view(graph_, graph_.components[piece]).observations) {
      const Observation& o = model_.observations[oi];
      std::vector<Value> args;
      for (const auto& a : o.args)
        args.push_back(ir::is_data_only(*a) ? patterns::eval_data(model_, *a) : Value{});
      const dist::Bounds b = dist::support_bounds(*o.family, args);
      if (o.family->outcome_rank != Rank::Scalar) continue;
      for (double y : o.value.data)
        if (y < b.lo || y > b.hi) return false;
    }
  return true;
}

std::optional<std::vector<solution::Solution>> Conditional::solve(double x, std::string& why) {
  model_.data[slot_].value = Value::scalar(x);
  const conjugate::Quiet quiet;  // no derivation text at every node
  std::vector<solution::Solution> out;
  for (auto piece : pieces_) {
    auto s = conjugate::solve_component(model_, graph_, graph_.components[piece], why,
                                        conjugate::Rules::All, conjugate::FlatEvidence::DensityOne);
    if (!s || !s->refused.empty() || !std::isfinite(s->log_evidence)) {
      if (s && !s->refused.empty()) why = s->refused;
      return std::nullopt;
    }
    out.push_back(std::move(*s));
  }
  return out;
}

}  // namespace bayes::quadrature
