// The factor graph: the checked model as variables (data, parameters, lets)
// and factors (one per prior, one per observation statement), with the
// connected components over parameters that the engines solve one at a time.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "check/model.hpp"

namespace bayes::graph {

enum class VarKind { Data, Param, Let };
enum class FactorKind { Prior, Observation, Term };

struct Variable {
  VarKind kind;
  std::size_t index;  // into Model::data / params / lets
  std::string name;
  bool drawn = true;      // false for a quantity only a query asked about
  std::size_t plate = 0;  // the length of a vector (the rows of a matrix); 0 for a scalar
  bool observed = false;  // data on the left of an observation (else a constant)
};

struct Factor {
  FactorKind kind;
  std::size_t index;              // into Model::priors / observations / terms
  const dist::Family* family;     // nullptr for a flat prior
  std::vector<std::size_t> vars;  // variables it touches, sorted, no repeats
  std::string label;              // "Beta(2, 2)", "flips ~ Bernoulli(p)"
  std::size_t component = 0;
  std::size_t plate = 0;  // elementwise over a vector of this length; 0 for one density
};

struct Component {
  std::vector<std::size_t> params;   // indices into Model::params
  std::vector<std::size_t> factors;  // indices into FactorGraph::factors
};

struct FactorGraph {
  std::vector<Variable> vars;
  std::vector<Factor> factors;
  std::vector<std::pair<std::size_t, std::size_t>> derived;  // (parameter var, let var) edges
  std::vector<Component> components;
  std::vector<std::size_t> param_component;  // Model::params index -> component

  std::size_t data_var(std::size_t i) const { return i; }
  std::size_t param_var(std::size_t i) const { return first_param + i; }
  std::size_t let_var(std::size_t i) const { return first_let + i; }
  std::size_t first_param = 0, first_let = 0;
};

FactorGraph build(const Model& model);

// Graphviz DOT in plate notation, laid out left to right to fit a slide:
// parameters as ellipses, observed data filled grey, constants (data never
// observed) as plain text, lets dashed, factors as boxes; a vector and the
// factors over its elements inside one plate (a cluster "i = 1..N") per
// length, named "z[i]".
void write_dot(std::ostream& out, const FactorGraph& g);

}  // namespace bayes::graph
