// Lowering the checked model to a factor graph, and its components.
#include "graph/factor_graph.hpp"

#include <algorithm>
#include <numeric>

namespace bayes::graph {

namespace {

// Union-find over parameter indices.
struct Components {
  std::vector<std::size_t> parent;
  explicit Components(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t i) { return parent[i] == i ? i : parent[i] = find(parent[i]); }
  void join(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

void add_refs(const FactorGraph& g, const ir::Node& n, std::vector<std::size_t>& vars) {
  std::vector<std::size_t> ps, ds;
  ir::collect_params(n, ps);
  ir::collect_data(n, ds);
  for (auto p : ps) vars.push_back(g.param_var(p));
  for (auto d : ds) vars.push_back(g.data_var(d));
}

void sort_unique(std::vector<std::size_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

FactorGraph build(const Model& model) {
  FactorGraph g;
  for (std::size_t i = 0; i < model.data.size(); ++i)
    g.vars.push_back({VarKind::Data, i, model.data[i].name});
  g.first_param = g.vars.size();
  for (std::size_t i = 0; i < model.params.size(); ++i)
    g.vars.push_back({VarKind::Param, i, model.params[i].name});
  g.first_let = g.vars.size();
  for (std::size_t i = 0; i < model.lets.size(); ++i)
    g.vars.push_back({VarKind::Let, i, model.lets[i].name, !model.lets[i].from_query});

  for (std::size_t i = 0; i < model.priors.size(); ++i) {
    const Prior& p = model.priors[i];
    Factor f{FactorKind::Prior, i, p.family, {}, p.text, 0};
    for (auto q : p.params) f.vars.push_back(g.param_var(q));
    for (const auto& a : p.args) add_refs(g, *a, f.vars);
    if (p.truncation.log_mass_of) add_refs(g, *p.truncation.log_mass_of, f.vars);
    if (p.lower_of) add_refs(g, *p.lower_of, f.vars);
    if (p.upper_of) add_refs(g, *p.upper_of, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.observations.size(); ++i) {
    const Observation& o = model.observations[i];
    Factor f{FactorKind::Observation, i, o.family, {}, o.text, 0};
    add_refs(g, *o.lhs, f.vars);
    for (const auto& a : o.args) add_refs(g, *a, f.vars);
    if (o.truncation.log_mass_of) add_refs(g, *o.truncation.log_mass_of, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.terms.size(); ++i) {
    const Term& t = model.terms[i];
    Factor f{FactorKind::Term, i, nullptr, {}, t.text, 0};
    add_refs(g, *t.expr, f.vars);
    sort_unique(f.vars);
    g.factors.push_back(std::move(f));
  }
  for (std::size_t i = 0; i < model.lets.size(); ++i)
    for (auto p : ir::params_of(*model.lets[i].expr))
      g.derived.push_back({g.param_var(p), g.let_var(i)});

  // Components: parameters joined by the factors they share.
  Components uf(model.params.size());
  for (const auto& f : g.factors) {
    std::size_t first = SIZE_MAX;
    for (auto v : f.vars) {
      if (g.vars[v].kind != VarKind::Param) continue;
      if (first == SIZE_MAX)
        first = g.vars[v].index;
      else
        uf.join(first, g.vars[v].index);
    }
  }
  std::vector<std::size_t> id(model.params.size(), SIZE_MAX);
  g.param_component.resize(model.params.size());
  for (std::size_t p = 0; p < model.params.size(); ++p) {
    std::size_t root = uf.find(p);
    if (id[root] == SIZE_MAX) {
      id[root] = g.components.size();
      g.components.emplace_back();
    }
    g.param_component[p] = id[root];
    g.components[id[root]].params.push_back(p);
  }
  for (std::size_t fi = 0; fi < g.factors.size(); ++fi) {
    Factor& f = g.factors[fi];
    auto it = std::find_if(f.vars.begin(), f.vars.end(),
                           [&](std::size_t v) { return g.vars[v].kind == VarKind::Param; });
    if (it == f.vars.end()) {  // touches no parameter: a component of its own
      f.component = g.components.size();
      g.components.emplace_back();
    } else {
      f.component = g.param_component[g.vars[*it].index];
    }
    g.components[f.component].factors.push_back(fi);
  }
  return g;
}

void write_dot(std::ostream& out, const FactorGraph& g) {
  out << "graph factor_graph {\n";
  out << "  node [fontname=\"Helvetica\"];\n";
  auto var_id = [](std::size_t v) { return "v" + std::to_string(v); };
  auto factor_id = [](std::size_t f) { return "f" + std::to_string(f); };
  std::vector<bool> placed(g.vars.size(), false);
  for (std::size_t c = 0; c < g.components.size(); ++c) {
    out << "  subgraph cluster_" << c << " {\n    label=\"component " << c + 1 << "\";\n";
    for (auto p : g.components[c].params) {
      std::size_t v = g.param_var(p);
      placed[v] = true;
      out << "    " << var_id(v) << " [label=\"" << escape(g.vars[v].name)
          << "\", shape=ellipse];\n";
    }
    for (auto fi : g.components[c].factors)
      out << "    " << factor_id(fi) << " [label=\"" << escape(g.factors[fi].label)
          << "\", shape=box];\n";
    out << "  }\n";
  }
  for (std::size_t v = 0; v < g.vars.size(); ++v) {
    if (placed[v] || !g.vars[v].drawn) continue;
    const Variable& x = g.vars[v];
    if (x.kind == VarKind::Data)
      out << "  " << var_id(v) << " [label=\"" << escape(x.name)
          << "\", shape=ellipse, style=filled, fillcolor=lightgrey];\n";
    else if (x.kind == VarKind::Let)
      out << "  " << var_id(v) << " [label=\"" << escape(x.name)
          << "\", shape=ellipse, style=dashed];\n";
  }
  for (std::size_t fi = 0; fi < g.factors.size(); ++fi)
    for (auto v : g.factors[fi].vars) out << "  " << factor_id(fi) << " -- " << var_id(v) << ";\n";
  for (const auto& [p, l] : g.derived)
    if (g.vars[l].drawn) out << "  " << var_id(p) << " -- " << var_id(l) << " [style=dashed];\n";
  out << "}\n";
}

}  // namespace bayes::graph
