// greeting.txt comes from include/default/ (there is no include/javascript/).
const fs = require("fs");
const greeting = fs.readFileSync(__dirname + "/greeting.txt", "utf8").trim();
const [n, ...xs] = fs.readFileSync(0, "utf8").split(/\s+/).filter(Boolean).map(BigInt);
console.log(greeting + " " + xs.slice(0, Number(n)).reduce((a, b) => a + b, 0n));
