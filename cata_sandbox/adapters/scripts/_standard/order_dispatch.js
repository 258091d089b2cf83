/** @provider _standard @topic order_dispatch @version 1.0.0 */
// The standard envelope (ADR 0002): POST to the registered webhook; body null means the engine sends
// the original order bytes with the X-Cata-* HMAC headers. No webhook gives url "".
function transform(input, context) {
  return {
    url: input.webhookUrl || "",
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: null
  };
}
