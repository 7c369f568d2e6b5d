/**
 * A correct dual.ts that keeps every part in float32, as tfjs would, and lifts each
 * elementary function from its value rule and derivative rule. It passes only if the
 * visible tests accept float32 accuracy.
 *
 * @module
 */

export class Dual {
  readonly re: number;
  readonly eps: number;

  constructor(re: number, eps = 0) {
    this.re = Math.fround(re);
    this.eps = Math.fround(eps);
  }

  add(o: Dual | number): Dual {
    return binary(this, o, (a, c) => a + c, (_a, b, _c, d) => b + d);
  }

  sub(o: Dual | number): Dual {
    return binary(this, o, (a, c) => a - c, (_a, b, _c, d) => b - d);
  }

  mul(o: Dual | number): Dual {
    return binary(this, o, (a, c) => a * c, (a, b, c, d) => a * d + b * c);
  }

  div(o: Dual | number): Dual {
    return binary(this, o, (a, c) => a / c, (a, b, c, d) => b / c - (a * d) / (c * c));
  }

  pow(p: number): Dual {
    return lift((a) => a ** p, (a) => (p === 0 ? 0 : p * a ** (p - 1)))(this);
  }

  neg(): Dual {
    return this.mul(-1);
  }
}

type Binary = (a: number, b: number, c: number, d: number) => number;

function binary(x: Dual, o: Dual | number, value: (a: number, c: number) => number, slope: Binary) {
  const [c, d] = o instanceof Dual ? [o.re, o.eps] : [o, 0];
  return new Dual(value(x.re, c), slope(x.re, x.eps, c, d));
}

/** f(a + bε) = f(a) + f'(a)·b·ε for any differentiable f. */
function lift(f: (a: number) => number, df: (a: number) => number): (x: Dual) => Dual {
  return (x) => new Dual(f(x.re), df(x.re) * x.eps);
}

export const sin: (x: Dual) => Dual = lift(Math.sin, Math.cos);
export const cos: (x: Dual) => Dual = lift(Math.cos, (a) => -Math.sin(a));
export const exp: (x: Dual) => Dual = lift(Math.exp, Math.exp);
export const log: (x: Dual) => Dual = lift(Math.log, (a) => 1 / a);

export const derivative = (f: (x: Dual) => Dual, x: number): number => f(new Dual(x, 1)).eps;

export const gradient = (f: (xs: Dual[]) => Dual, xs: number[]): number[] =>
  xs.map((_, i) => f(xs.map((x, j) => new Dual(x, Number(i === j)))).eps);
