// bug: Dual.mul: the product rule keeps only b·c and drops the a·d term of (a + bε)(c + dε)
export class Dual {
  #re: number;
  #eps: number;

  constructor(re: number, eps?: number) {
    this.#re = re;
    this.#eps = eps ?? 0;
  }

  get re(): number {
    return this.#re;
  }

  get eps(): number {
    return this.#eps;
  }

  add(o: Dual | number): Dual {
    if (typeof o === "number") return new Dual(this.re + o, this.eps);
    return new Dual(this.re + o.re, this.eps + o.eps);
  }

  sub(o: Dual | number): Dual {
    if (typeof o === "number") return new Dual(this.re - o, this.eps);
    return new Dual(this.re - o.re, this.eps - o.eps);
  }

  mul(o: Dual | number): Dual {
    if (typeof o === "number") return new Dual(this.re * o, this.eps * o);
    return new Dual(this.re * o.re, this.eps * o.re);
  }

  div(o: Dual | number): Dual {
    if (typeof o === "number") return new Dual(this.re / o, this.eps / o);
    return new Dual(this.re / o.re, (this.eps * o.re - this.re * o.eps) / (o.re * o.re));
  }

  pow(p: number): Dual {
    if (p === 0) return new Dual(1, 0);
    return new Dual(Math.pow(this.re, p), p * Math.pow(this.re, p - 1) * this.eps);
  }

  neg(): Dual {
    return new Dual(-this.re, -this.eps);
  }
}

export function sin(x: Dual): Dual {
  return new Dual(Math.sin(x.re), Math.cos(x.re) * x.eps);
}

export function cos(x: Dual): Dual {
  return new Dual(Math.cos(x.re), -Math.sin(x.re) * x.eps);
}

export function exp(x: Dual): Dual {
  const ea = Math.exp(x.re);
  return new Dual(ea, ea * x.eps);
}

export function log(x: Dual): Dual {
  return new Dual(Math.log(x.re), x.eps / x.re);
}

export function derivative(f: (x: Dual) => Dual, x: number): number {
  const y = f(new Dual(x, 1));
  return y.eps;
}

export function gradient(f: (xs: Dual[]) => Dual, xs: number[]): number[] {
  const result: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const seeded: Dual[] = [];
    for (let j = 0; j < xs.length; j++) seeded.push(new Dual(xs[j], j === i ? 1 : 0));
    result.push(f(seeded).eps);
  }
  return result;
}
