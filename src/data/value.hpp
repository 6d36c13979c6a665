// Data values: what a data statement or a CSV column evaluates to.
// A Value is a scalar, a vector or a column-major matrix of doubles, marked
// integer when every element came from an integer literal or an integer column.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bayes {

enum class Rank { Scalar = 0, Vector = 1, Matrix = 2 };

struct Value {
  Rank rank = Rank::Scalar;
  bool integer = false;
  std::size_t rows = 1;  // elements of a vector; rows of a matrix
  std::size_t cols = 1;  // 1 unless a matrix
  std::vector<double> data;

  static Value scalar(double x, bool integer = false) {
    return Value{Rank::Scalar, integer, 1, 1, {x}};
  }
  static Value vector(std::vector<double> xs, bool integer = false) {
    std::size_t n = xs.size();
    return Value{Rank::Vector, integer, n, 1, std::move(xs)};
  }
  static Value matrix(std::size_t rows, std::size_t cols, std::vector<double> xs) {
    return Value{Rank::Matrix, false, rows, cols, std::move(xs)};
  }

  std::size_t size() const { return data.size(); }
  double operator[](std::size_t i) const { return data[i]; }
  double at(std::size_t r, std::size_t c) const { return data[c * rows + r]; }
  bool is_scalar() const { return rank == Rank::Scalar; }
};

}  // namespace bayes
