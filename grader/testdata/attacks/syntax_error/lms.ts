export function predict(theta: number[], x: number[]): number {
  return theta[0] * x[0] +;
}
