using System.Text;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace TypedSocketIo.Server.EngineIO.Direct;

/// <summary>Marks the endpoint of an Engine.IO server, for the listeners that take its WebSockets directly.</summary>
internal sealed class EngineIOEndpointMetadata(EngineIOServer server)
{
    public EngineIOServer Server { get; } = server;
}

/// <summary>
/// The Engine.IO endpoints whose WebSocket requests a listener takes directly: by their literal
/// path (its case ignored, with or without the trailing slash, as routing matches it). An endpoint
/// that asks ASP.NET Core for more than routing (authorization, a host, rate limiting) is left to it.
/// </summary>
internal sealed class DirectEndpoints
{
    private readonly (byte[] Path, EngineIOServer Server)[] _paths;

    private DirectEndpoints((byte[] Path, EngineIOServer Server)[] paths)
    {
        _paths = paths;
        LongestPath = paths.Length == 0 ? 0 : paths.Max(static p => p.Path.Length);
    }

    /// <summary>The length of the longest path, in bytes.</summary>
    public int LongestPath { get; }

    public bool IsEmpty => _paths.Length == 0;

    /// <summary>The endpoints at <paramref name="paths"/> (literal, without a trailing slash).</summary>
    internal static DirectEndpoints Of(params (string Path, EngineIOServer Server)[] paths) =>
        new([.. paths.Select(static p => (Encoding.ASCII.GetBytes(p.Path), p.Server))]);

    /// <summary>The endpoints of the application's routes, as they are once it has started.</summary>
    public static DirectEndpoints Find(IServiceProvider services)
    {
        var paths = new List<(string, EngineIOServer)>();
        if (services.GetService<EndpointDataSource>() is { } source)
        {
            foreach (Endpoint endpoint in source.Endpoints)
            {
                if (endpoint is RouteEndpoint route
                    && route.Metadata.GetMetadata<EngineIOEndpointMetadata>() is { } engine
                    && !NeedsPipeline(route.Metadata)
                    && LiteralPath(route.RoutePattern) is { } path)
                {
                    paths.Add((path, engine.Server));
                }
            }
        }

        return Of([.. paths]);
    }

    private static bool NeedsPipeline(EndpointMetadataCollection metadata) =>
        metadata.GetMetadata<IAuthorizeData>() is not null
        || metadata.GetMetadata<IHostMetadata>() is { Hosts.Count: > 0 }
        || metadata.GetMetadata<EnableRateLimitingAttribute>() is not null;

    /// <summary>The path a pattern of literal segments only matches; null for any other pattern.</summary>
    private static string? LiteralPath(RoutePattern pattern)
    {
        var path = new StringBuilder();
        foreach (RoutePatternPathSegment segment in pattern.PathSegments)
        {
            if (segment.Parts is not [RoutePatternLiteralPart literal] || !IsPlain(literal.Content))
            {
                return null;
            }

            path.Append('/').Append(literal.Content);
        }

        return path.Length == 0 ? "/" : path.ToString();
    }

    private static bool IsPlain(string text)
    {
        foreach (char c in text)
        {
            if (c is <= ' ' or > '~' or '%' or '?')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The server whose endpoint <paramref name="path"/> (a request's, not decoded) names.</summary>
    public EngineIOServer? Find(ReadOnlySpan<byte> path)
    {
        if (path.Length > 1 && path[^1] == (byte)'/')
        {
            path = path[..^1];
        }

        foreach ((byte[] known, EngineIOServer server) in _paths)
        {
            if (Ascii.EqualsIgnoreCase(path, known))
            {
                return server;
            }
        }

        return null;
    }

    /// <summary>Whether a request target that begins with <paramref name="start"/> could still name an endpoint.</summary>
    public bool MayStart(ReadOnlySpan<byte> start)
    {
        foreach ((byte[] known, _) in _paths)
        {
            int common = Math.Min(start.Length, known.Length);
            if (!Ascii.EqualsIgnoreCase(start[..common], known.AsSpan(0, common)))
            {
                continue;
            }

            if (start.Length <= known.Length || start[known.Length] is (byte)'/' or (byte)'?')
            {
                return true;
            }
        }

        return false;
    }
}
