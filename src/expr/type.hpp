// Static types of expressions: element kind and shape, with sizes where data fixes them.
#pragma once

#include <cstddef>
#include <string>

#include "data/value.hpp"

namespace bayes {

enum class Elem { Int, Real, Bool };

struct Type {
  Elem elem = Elem::Real;
  Rank rank = Rank::Scalar;
  std::size_t rows = 1;  // 0: not known before the data is seen
  std::size_t cols = 1;

  static Type scalar(Elem e = Elem::Real) { return Type{e, Rank::Scalar, 1, 1}; }
  static Type vector(std::size_t n, Elem e = Elem::Real) { return Type{e, Rank::Vector, n, 1}; }
  static Type matrix(std::size_t r, std::size_t c) { return Type{Elem::Real, Rank::Matrix, r, c}; }
  static Type of(const Value& v) {
    return Type{v.integer ? Elem::Int : Elem::Real, v.rank, v.rows, v.cols};
  }
  bool is_scalar() const { return rank == Rank::Scalar; }
  bool is_vector() const { return rank == Rank::Vector; }
  bool is_matrix() const { return rank == Rank::Matrix; }
  bool numeric() const { return elem != Elem::Bool; }
};

// "real", "int", "vector[3]", "int vector[10]", "matrix[10, 3]", "bool"
std::string to_string(const Type& t);

}  // namespace bayes
