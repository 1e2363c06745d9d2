using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace TypedSocketIo.Server.Hosting;

/// <summary>
/// The official socket.io-client bundles embedded by the build (serveClient): <c>socket.io.js</c>,
/// <c>socket.io.min.js</c>, <c>socket.io.msgpack.min.js</c>, <c>socket.io.esm.min.js</c> and their
/// source maps, served next to the Socket.IO endpoint as the reference serves them.
/// </summary>
internal sealed class ClientBundle
{
    internal const string ResourcePrefix = "TypedSocketIo.Server.ClientBundle.";

    /// <summary>The files served, relative to the Socket.IO path.</summary>
    internal static readonly string[] FileNames =
    [
        "socket.io.js", "socket.io.js.map",
        "socket.io.min.js", "socket.io.min.js.map",
        "socket.io.msgpack.min.js", "socket.io.msgpack.min.js.map",
        "socket.io.esm.min.js", "socket.io.esm.min.js.map",
    ];

    private static readonly Lazy<ClientBundle?> Embedded = new(() => Load(typeof(ClientBundle).Assembly));

    private readonly Dictionary<string, ClientFile> _files;

    private ClientBundle(string version, Dictionary<string, ClientFile> files)
    {
        Version = version;
        ETag = "\"" + version + "\"";
        _files = files;
    }

    /// <summary>The bundles built into this assembly, or null when the build could not fetch them.</summary>
    public static ClientBundle? Instance => Embedded.Value;

    /// <summary>The socket.io-client version (from its package.json).</summary>
    public string Version { get; }

    /// <summary>The strong entity tag of every file: the quoted client version, as the reference sends.</summary>
    public string ETag { get; }

    /// <summary>Reads the bundles from <paramref name="assembly"/>'s resources; null when any is missing.</summary>
    internal static ClientBundle? Load(Assembly assembly)
    {
        byte[]? package = Read(assembly, ResourcePrefix + "package.json");
        if (package is null)
        {
            return null;
        }

        string? version;
        using (JsonDocument json = JsonDocument.Parse(package))
        {
            version = json.RootElement.TryGetProperty("version", out JsonElement v) ? v.GetString() : null;
        }

        if (string.IsNullOrEmpty(version))
        {
            return null;
        }

        var files = new Dictionary<string, ClientFile>(StringComparer.Ordinal);
        foreach (string name in FileNames)
        {
            byte[]? content = Read(assembly, ResourcePrefix + name);
            if (content is null)
            {
                return null;
            }

            files[name] = new ClientFile(name, content);
        }

        return new ClientBundle(version, files);
    }

    private static byte[]? Read(Assembly assembly, string resource)
    {
        using Stream? stream = assembly.GetManifestResourceStream(resource);
        if (stream is null)
        {
            return null;
        }

        var copy = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The bundles, or an exception that says how to get them or to turn serveClient off.</summary>
    internal static ClientBundle Require(ClientBundle? bundle) => bundle ?? throw new InvalidOperationException(
        "SocketIoServerOptions.ServeClient is true, but this build of TypedSocketIo.Server does not contain the " +
        "socket.io-client bundles: npm was not available (or `npm ci` failed) when it was built. Install Node.js " +
        "with npm and rebuild (the build runs `npm ci` in src/Runtime/TypedSocketIo.Server/ClientBundle, pinned by " +
        "its package-lock.json), or set ServeClient = false (configuration key SocketIo:ServeClient).");

    /// <summary>Maps one GET/HEAD endpoint per file under <paramref name="pattern"/> (e.g. <c>/socket.io</c>).</summary>
    internal IEndpointConventionBuilder[] Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        var builders = new IEndpointConventionBuilder[FileNames.Length];
        for (int i = 0; i < FileNames.Length; i++)
        {
            ClientFile file = _files[FileNames[i]];
            string route = pattern + "/" + file.Name;
            builders[i] = endpoints.MapMethods(route, methods, context => ServeAsync(context, file))
                .WithDisplayName("Socket.IO client " + route);
        }

        return builders;
    }

    private Task ServeAsync(HttpContext context, ClientFile file)
    {
        HttpResponse response = context.Response;
        IHeaderDictionary headers = response.Headers;
        headers.CacheControl = "public, max-age=0";
        headers.ETag = ETag;
        if (Matches(context.Request.Headers.IfNoneMatch))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        headers.ContentType = file.ContentType;
        headers.Vary = HeaderNames.AcceptEncoding;
        string? encoding = ChooseEncoding(context.Request.Headers.AcceptEncoding);
        byte[] body = file.Get(encoding);
        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentLength = body.Length;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>If-None-Match: the quoted version, strong or weak (or <c>*</c>), alone or in a list.</summary>
    private bool Matches(StringValues ifNoneMatch)
    {
        foreach (string? value in ifNoneMatch)
        {
            if (value is null)
            {
                continue;
            }

            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (part == "*" || part == ETag || (part.StartsWith("W/", StringComparison.Ordinal) && part.AsSpan(2).SequenceEqual(ETag)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>br, gzip or deflate, as the reference negotiates: the highest q-value, ties in that order.</summary>
    internal static string? ChooseEncoding(StringValues acceptEncoding)
    {
        string[] supported = ["br", "gzip", "deflate"];
        Span<double> quality = stackalloc double[3];
        quality.Fill(-1);
        double wildcard = -1;
        foreach (string? value in acceptEncoding)
        {
            if (value is null)
            {
                continue;
            }

            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                string[] pieces = part.Split(';', StringSplitOptions.TrimEntries);
                double q = 1;
                for (int p = 1; p < pieces.Length; p++)
                {
                    if (pieces[p].StartsWith("q=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(pieces[p].AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double parsed))
                    {
                        q = parsed;
                    }
                }

                if (pieces[0] == "*")
                {
                    wildcard = q;
                    continue;
                }

                int index = Array.FindIndex(supported, s => s.Equals(pieces[0], StringComparison.OrdinalIgnoreCase));
                if (index >= 0)
                {
                    quality[index] = q;
                }
            }
        }

        int best = -1;
        double bestQ = 0;
        for (int i = 0; i < supported.Length; i++)
        {
            double q = quality[i] >= 0 ? quality[i] : wildcard;
            if (q > bestQ)
            {
                best = i;
                bestQ = q;
            }
        }

        return best < 0 ? null : supported[best];
    }

    private sealed class ClientFile(string name, byte[] content)
    {
        private byte[]? _br, _gzip, _deflate;

        public string Name { get; } = name;

        public string ContentType { get; } = name.EndsWith(".map", StringComparison.Ordinal)
            ? "application/json; charset=utf-8"
            : "application/javascript; charset=utf-8";

        /// <summary>The content, compressed once per encoding on first use.</summary>
        public byte[] Get(string? encoding) => encoding switch
        {
            "br" => _br ??= Compress(static s => new BrotliStream(s, CompressionLevel.Optimal, leaveOpen: true)),
            "gzip" => _gzip ??= Compress(static s => new GZipStream(s, CompressionLevel.Optimal, leaveOpen: true)),
            "deflate" => _deflate ??= Compress(static s => new ZLibStream(s, CompressionLevel.Optimal, leaveOpen: true)),
            _ => content,
        };

        private byte[] Compress(Func<Stream, Stream> encoder)
        {
            using var output = new MemoryStream();
            using (Stream stream = encoder(output))
            {
                stream.Write(content);
            }

            return output.ToArray();
        }
    }
}
