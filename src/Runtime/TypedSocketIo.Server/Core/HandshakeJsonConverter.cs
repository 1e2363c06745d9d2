using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Primitives;

namespace TypedSocketIo.Server;

/// <summary>
/// Writes a <see cref="Handshake"/> in the shape Node's <c>socket.handshake</c> has on the wire
/// (<c>headers, time, address, xdomain, secure, issued, url, query, auth</c>), so that
/// <c>socket.Emit("handshake", socket.Handshake)</c> sends what a Node server would. Header names
/// are lower-case; a repeated header's values are joined with ", " (<c>set-cookie</c> stays an
/// array), a repeated query parameter becomes an array, as Node's parsers give them. The user and
/// the request snapshot stay on the server. A handshake is sent, never received.
/// </summary>
internal sealed class HandshakeJsonConverter : JsonConverter<Handshake>
{
    public override Handshake Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new JsonException("A handshake is sent by the server and cannot be read back into a Handshake; read it into a type of your own.");

    public override void Write(Utf8JsonWriter writer, Handshake value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("headers");
        foreach (KeyValuePair<string, StringValues> header in value.Headers)
        {
            string name = header.Key.ToLowerInvariant();
            if (name == "set-cookie")
            {
                WriteStrings(writer, name, header.Value);
            }
            else
            {
                writer.WriteString(name, header.Value.Count == 1 ? header.Value[0] : string.Join(name == "cookie" ? "; " : ", ", header.Value.ToArray()));
            }
        }

        writer.WriteEndObject();
        writer.WriteString("time", value.Time);
        writer.WriteString("address", value.Address);
        writer.WriteBoolean("xdomain", value.XDomain);
        writer.WriteBoolean("secure", value.Secure);
        writer.WriteNumber("issued", value.Issued);
        writer.WriteString("url", value.Url);
        writer.WriteStartObject("query");
        foreach (KeyValuePair<string, StringValues> parameter in value.Query)
        {
            if (parameter.Value.Count == 1)
            {
                writer.WriteString(parameter.Key, parameter.Value[0]);
            }
            else
            {
                WriteStrings(writer, parameter.Key, parameter.Value);
            }
        }

        writer.WriteEndObject();
        writer.WritePropertyName("auth");
        if (value.Auth.ValueKind == JsonValueKind.Undefined)
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }
        else
        {
            value.Auth.WriteTo(writer);
        }
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, StringValues values)
    {
        writer.WriteStartArray(name);
        foreach (string? item in values)
        {
            writer.WriteStringValue(item);
        }

        writer.WriteEndArray();
    }
}
