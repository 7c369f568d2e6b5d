export const predict = () => 1;
const table: number[] = [];
table.push(1);
throw new RangeError(`broken at load with ${table.length} entry`);
