// The test SMTP server as a process of its own (not a test file): prints {"port":n} once it
// listens, then one JSON line per message received (attachments base64). Ends when stdin closes.
import { TestSmtpServer } from './smtp-test-server.ts';

const server = new TestSmtpServer();
await server.start();
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
let reported = 0;
const report = () => {
  for (; reported < server.received.length; reported++) {
    const m = server.received[reported]!;
    const attachments = m.attachments.map((a) => ({ ...a, content: a.content.toString('base64') }));
    process.stdout.write(`${JSON.stringify({ ...m, attachments })}\n`);
  }
};
const timer = setInterval(report, 20);
process.stdin.resume();
process.stdin.on('end', async () => {
  clearInterval(timer);
  report();
  await server.stop();
  process.exit(0);
});
