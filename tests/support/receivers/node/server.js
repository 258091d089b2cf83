// A correct Cata webhook receiver: verifies X-Cata-Signature over the raw body, dedupes on the order.
// CATA_WEBHOOK_SECRET is the secret; PORT (0: any free one) is printed as "listening <port>" once ready.
import http from "node:http";
import { verify } from "@octokit/webhooks-methods";

const secret = process.env.CATA_WEBHOOK_SECRET;
const orders = new Map(); // orderRefNo -> externalOrderId: a repeated delivery is the same order

const reply = (res, status, body) => {
  res.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
};

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const raw = Buffer.concat(chunks);
    const text = raw.toString("utf8");
    const signature = req.headers["x-cata-signature"];
    // The library signs a string: only text that is exactly the raw bytes may stand for them.
    const exact = raw.length > 0 && Buffer.from(text, "utf8").equals(raw);
    if (!signature || !exact || !(await verify(secret, text, signature))) {
      return reply(res, 401, { error: "invalid X-Cata-Signature" });
    }
    let ref;
    try {
      ref = JSON.parse(text).orderRefNo;
    } catch {
      return reply(res, 400, { error: "body is not JSON" });
    }
    if (!orders.has(ref)) orders.set(ref, `node-${orders.size + 1}`);
    reply(res, 200, { externalOrderId: orders.get(ref) });
  });
});

server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});
