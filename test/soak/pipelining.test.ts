// The full pipelining case against a real QEMU: 50 sessions each write 1,000 commands at once
// with colliding ids, while one more session never reads (test/harness/pipelining-suite.ts).
// `npm test` runs the 10 × 300 version (test/integration/proxy-pipelining.test.ts).
import { describePipelining } from '../harness/pipelining-suite.ts';

describePipelining(50, 1000, 192);
