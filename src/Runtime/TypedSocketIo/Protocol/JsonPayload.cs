namespace TypedSocketIo.Protocol;

/// <summary>A payload in the library's JSON form: UTF-8 JSON with binary values as placeholders, and the binary values.</summary>
/// <param name="Json">The UTF-8 JSON (binary values as <c>{"_placeholder":true,"num":n}</c>).</param>
/// <param name="Attachments">The binary values the placeholders refer to, in order.</param>
public readonly record struct JsonPayload(ReadOnlyMemory<byte> Json, IReadOnlyList<ReadOnlyMemory<byte>> Attachments);
