// deno-lint-ignore-file no-unused-vars -- the parameters are yours to use
/**
 * Dual numbers: forward-mode automatic differentiation.
 *
 * A dual number a + bε with ε² = 0 carries a value a and a derivative b side by side:
 * f(a + bε) = f(a) + f'(a)·b·ε. Read README.md, then replace every TODO.
 *
 * @module
 */

/** A dual number a + bε, where ε² = 0. Instances never change; every operation returns a new one. */
export class Dual {
  /** The real part a: the value. */
  readonly re: number;
  /** The ε part b: the derivative carried along with the value. */
  readonly eps: number;

  /**
   * Creates a + bε.
   *
   * @param re The real part a.
   * @param eps The ε part b; a plain constant has b = 0.
   */
  constructor(re: number, eps = 0) {
    // TODO: store re and eps (assign this.re and this.eps)
    throw new Error("TODO: implement the Dual constructor");
  }

  /** (a + bε) + (c + dε); a plain number o means o + 0ε. */
  add(o: Dual | number): Dual {
    // TODO: return a new Dual whose parts are the sums of the parts
    throw new Error("TODO: implement Dual.add");
  }

  /** (a + bε) − (c + dε); a plain number o means o + 0ε. */
  sub(o: Dual | number): Dual {
    // TODO: return a new Dual for the difference (add and neg can do it)
    throw new Error("TODO: implement Dual.sub");
  }

  /** (a + bε)(c + dε), using ε² = 0; a plain number o means o + 0ε. */
  mul(o: Dual | number): Dual {
    // TODO: multiply out, drop the ε² term, and return the new Dual
    throw new Error("TODO: implement Dual.mul");
  }

  /** (a + bε) / (c + dε); a plain number o means o + 0ε. */
  div(o: Dual | number): Dual {
    // TODO: return the quotient (x / y = x · y⁻¹, with mul and pow)
    throw new Error("TODO: implement Dual.div");
  }

  /** (a + bε)ᵖ for a real exponent p. */
  pow(p: number): Dual {
    // TODO: return aᵖ + (the derivative of aᵖ, times b)·ε
    throw new Error("TODO: implement Dual.pow");
  }

  /** −(a + bε). */
  neg(): Dual {
    // TODO: return a new Dual with both parts negated
    throw new Error("TODO: implement Dual.neg");
  }
}

/**
 * sin(a + bε).
 *
 * @param x The argument.
 * @returns sin a + b·sin'(a)·ε.
 */
export function sin(x: Dual): Dual {
  // TODO: return the value sin a and the derivative rule times b in the ε part
  throw new Error("TODO: implement sin");
}

/**
 * cos(a + bε).
 *
 * @param x The argument.
 * @returns cos a + b·cos'(a)·ε.
 */
export function cos(x: Dual): Dual {
  // TODO: return the value cos a and the derivative rule times b in the ε part
  throw new Error("TODO: implement cos");
}

/**
 * exp(a + bε).
 *
 * @param x The argument.
 * @returns eᵃ + b·exp'(a)·ε.
 */
export function exp(x: Dual): Dual {
  // TODO: return the value eᵃ and the derivative rule times b in the ε part
  throw new Error("TODO: implement exp");
}

/**
 * The natural logarithm of a + bε, for a > 0.
 *
 * @param x The argument.
 * @returns ln a + b·ln'(a)·ε.
 */
export function log(x: Dual): Dual {
  // TODO: return the value ln a and the derivative rule times b in the ε part
  throw new Error("TODO: implement log");
}

/**
 * The derivative f'(x), from one evaluation of f on a dual number.
 *
 * @param f A function built from dual-number operations.
 * @param x The point.
 * @returns f'(x).
 */
export function derivative(f: (x: Dual) => Dual, x: number): number {
  // TODO: evaluate f on x + 1·ε and return the ε part of the result
  throw new Error("TODO: implement derivative");
}

/**
 * The gradient ∇f(x), from one evaluation of f per variable.
 *
 * @param f A function of several variables built from dual-number operations.
 * @param xs The point.
 * @returns ∂f/∂xᵢ for every i.
 */
export function gradient(f: (xs: Dual[]) => Dual, xs: number[]): number[] {
  // TODO: for each i, evaluate f with ε = 1 on variable i only and collect the ε parts
  throw new Error("TODO: implement gradient");
}
