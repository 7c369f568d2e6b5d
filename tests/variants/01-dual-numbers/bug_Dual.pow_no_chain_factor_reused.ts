// bug: Dual.pow: the ε part is p·aᵖ⁻¹ without the chain factor b; div() is this.mul(o.pow(-1)), as the hints suggest
/**
 * Dual numbers: forward-mode automatic differentiation in one screen.
 *
 * A dual number a + bε with ε² = 0 carries a value a and a derivative b side by side:
 * f(a + bε) = f(a) + f'(a)·b·ε. Every operation below therefore has two rules, the value
 * rule for `re` and the derivative (chain) rule for `eps`, written on adjacent lines.
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
    this.re = re;
    this.eps = eps;
  }

  /** (a + bε) + (c + dε) = (a + c) + (b + d)ε. */
  add(o: Dual | number): Dual {
    const that = toDual(o);
    return new Dual(
      this.re + that.re,
      this.eps + that.eps,
    );
  }

  /** x − y = x + (−y). */
  sub(o: Dual | number): Dual {
    return this.add(toDual(o).neg());
  }

  /** (a + bε)(c + dε) = ac + (ad + bc)ε, because the bdε² term vanishes. */
  mul(o: Dual | number): Dual {
    const that = toDual(o);
    return new Dual(
      this.re * that.re,
      this.re * that.eps + this.eps * that.re,
    );
  }

  /** x / y = x · y⁻¹, so the quotient rule follows from the product and power rules. */
  div(o: Dual | number): Dual {
    return this.mul(toDual(o).pow(-1));
  }

  /** (a + bε)ᵖ = aᵖ + p·aᵖ⁻¹·b·ε, for a real exponent p. */
  pow(p: number): Dual {
    return new Dual(
      this.re ** p,
      p * this.re ** (p - 1),
    );
  }

  /** −(a + bε) = −a − bε. */
  neg(): Dual {
    return new Dual(
      -this.re,
      -this.eps,
    );
  }
}

/** A plain number is a constant: its derivative, the ε part, is 0. */
function toDual(o: Dual | number): Dual {
  return typeof o === "number" ? new Dual(o) : o;
}

/** sin(a + bε) = sin a + b·cos a·ε. */
export function sin(x: Dual): Dual {
  return new Dual(
    Math.sin(x.re),
    x.eps * Math.cos(x.re),
  );
}

/** cos(a + bε) = cos a − b·sin a·ε. */
export function cos(x: Dual): Dual {
  return new Dual(
    Math.cos(x.re),
    -x.eps * Math.sin(x.re),
  );
}

/** exp(a + bε) = eᵃ + b·eᵃ·ε. */
export function exp(x: Dual): Dual {
  return new Dual(
    Math.exp(x.re),
    x.eps * Math.exp(x.re),
  );
}

/** log(a + bε) = ln a + (b / a)·ε, for a > 0. */
export function log(x: Dual): Dual {
  return new Dual(
    Math.log(x.re),
    x.eps / x.re,
  );
}

/**
 * The derivative f'(x), from one evaluation of f on x + 1·ε.
 *
 * @param f A function built from dual-number operations.
 * @param x The point.
 * @returns f'(x).
 */
export function derivative(f: (x: Dual) => Dual, x: number): number {
  // Seeding ε = 1 makes the ε part of the result f'(x)·1.
  return f(new Dual(x, 1)).eps;
}

/**
 * The gradient ∇f(x), from one evaluation of f per variable.
 *
 * @param f A function of several variables built from dual-number operations.
 * @param xs The point.
 * @returns ∂f/∂xᵢ for every i.
 */
export function gradient(f: (xs: Dual[]) => Dual, xs: number[]): number[] {
  // Pass i seeds ε = 1 on variable i only, so the ε part of f is ∂f/∂xᵢ alone; seeding
  // every variable at once would give the sum of the partial derivatives instead.
  return xs.map((_, i) => f(xs.map((x, j) => new Dual(x, i === j ? 1 : 0))).eps);
}
