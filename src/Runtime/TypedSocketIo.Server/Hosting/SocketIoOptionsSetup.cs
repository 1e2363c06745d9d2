using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using TypedSocketIo.Server.EngineIO;

namespace TypedSocketIo.Server.Hosting;

/// <summary>
/// Binds the <c>SocketIo</c> configuration section (e.g. <c>SocketIo:PingInterval</c>,
/// <c>SocketIo:MaxHttpBufferSize</c>, <c>SocketIo:ServeClient</c>, <c>SocketIo:Parser</c>,
/// <c>SocketIo:ConnectionStateRecovery:MaxDisconnectionDuration</c>) when the application has a
/// configuration. Registered before the <c>AddSocketIo</c> delegate, which therefore wins.
/// </summary>
internal sealed class SocketIoConfigureOptions(IConfiguration? configuration = null) : IConfigureOptions<SocketIoServerOptions>
{
    public const string SectionName = "SocketIo";

    public void Configure(SocketIoServerOptions options)
    {
        IConfigurationSection? section = configuration?.GetSection(SectionName);
        if (section is null || !section.Exists())
        {
            return;
        }

        // Bound into a model of the options that configuration can express (no delegates or
        // serializer options; parsers by name), then copied: set keys win, a configured list replaces the default one.
        var model = new SocketIoConfigurationModel();
        section.Bind(model);
        model.ApplyTo(options);
    }
}

/// <summary>The options the <c>SocketIo</c> configuration section can set; null leaves an option as it is.</summary>
internal sealed class SocketIoConfigurationModel
{
    public TimeSpan? PingInterval { get; set; }
    public TimeSpan? PingTimeout { get; set; }
    public TimeSpan? UpgradeTimeout { get; set; }
    public TimeSpan? CloseTimeout { get; set; }
    public TimeSpan? ConnectTimeout { get; set; }
    public long? MaxHttpBufferSize { get; set; }
    public long? MaxSendBufferSize { get; set; }
    public int? MaxPendingEvents { get; set; }
    public int? MaxPendingAcks { get; set; }
    public bool? EnableDetailedErrors { get; set; }
    public string[]? Transports { get; set; }
    public bool? AllowUpgrades { get; set; }
    public bool? AllowEIO3 { get; set; }
    public WebSocketFraming? WebSocketFraming { get; set; }
    public bool? CleanupEmptyChildNamespaces { get; set; }
    public bool? ServeClient { get; set; }
    public string? Parser { get; set; }
    public CompressionModel? HttpCompression { get; set; }
    public DeflateModel? PerMessageDeflate { get; set; }
    public CookieModel? Cookie { get; set; }
    public RecoveryModel? ConnectionStateRecovery { get; set; }

    public void ApplyTo(SocketIoServerOptions options)
    {
        options.PingInterval = PingInterval ?? options.PingInterval;
        options.PingTimeout = PingTimeout ?? options.PingTimeout;
        options.UpgradeTimeout = UpgradeTimeout ?? options.UpgradeTimeout;
        options.CloseTimeout = CloseTimeout ?? options.CloseTimeout;
        options.ConnectTimeout = ConnectTimeout ?? options.ConnectTimeout;
        options.MaxHttpBufferSize = MaxHttpBufferSize ?? options.MaxHttpBufferSize;
        options.MaxSendBufferSize = MaxSendBufferSize ?? options.MaxSendBufferSize;
        options.MaxPendingEvents = MaxPendingEvents ?? options.MaxPendingEvents;
        options.MaxPendingAcks = MaxPendingAcks ?? options.MaxPendingAcks;
        options.EnableDetailedErrors = EnableDetailedErrors ?? options.EnableDetailedErrors;
        if (Transports is not null)
        {
            options.Transports = new List<string>(Transports);
        }

        options.AllowUpgrades = AllowUpgrades ?? options.AllowUpgrades;
        options.AllowEIO3 = AllowEIO3 ?? options.AllowEIO3;
        options.WebSocketFraming = WebSocketFraming ?? options.WebSocketFraming;
        options.CleanupEmptyChildNamespaces = CleanupEmptyChildNamespaces ?? options.CleanupEmptyChildNamespaces;
        options.ServeClient = ServeClient ?? options.ServeClient;
        if (Parser is not null)
        {
            options.Parser = Parser.Trim().ToLowerInvariant() switch
            {
                "json" => TypedSocketIo.Protocol.JsonSocketIoParser.Instance,
                "msgpack" => TypedSocketIo.Protocol.MsgPackSocketIoParser.Instance,
                _ => throw new InvalidOperationException($"SocketIo:Parser must be \"json\" or \"msgpack\", not \"{Parser}\"."),
            };
        }

        if (HttpCompression is { } compression)
        {
            if (compression.Enabled == false)
            {
                options.HttpCompression = null;
            }
            else
            {
                options.HttpCompression ??= new HttpCompressionOptions();
                options.HttpCompression.Threshold = compression.Threshold ?? options.HttpCompression.Threshold;
            }
        }

        if (PerMessageDeflate is { } deflate)
        {
            if (deflate.Enabled == false)
            {
                options.PerMessageDeflate = null;
            }
            else
            {
                PerMessageDeflateOptions target = options.PerMessageDeflate ??= new PerMessageDeflateOptions();
                target.Threshold = deflate.Threshold ?? target.Threshold;
                target.ServerContextTakeover = deflate.ServerContextTakeover ?? target.ServerContextTakeover;
                target.ServerMaxWindowBits = deflate.ServerMaxWindowBits ?? target.ServerMaxWindowBits;
            }
        }

        if (ConnectionStateRecovery is { } recovery)
        {
            if (recovery.Enabled == false)
            {
                options.ConnectionStateRecovery = null;
            }
            else
            {
                ConnectionStateRecoveryOptions target = options.ConnectionStateRecovery ??= new ConnectionStateRecoveryOptions();
                target.MaxDisconnectionDuration = recovery.MaxDisconnectionDuration ?? target.MaxDisconnectionDuration;
                target.SkipMiddlewares = recovery.SkipMiddlewares ?? target.SkipMiddlewares;
                target.MaxLoggedPackets = recovery.MaxLoggedPackets ?? target.MaxLoggedPackets;
                target.MaxSessions = recovery.MaxSessions ?? target.MaxSessions;
            }
        }

        if (Cookie is { } cookie)
        {
            if (cookie.Enabled == false)
            {
                options.Cookie = null;
            }
            else
            {
                EngineCookieOptions target = options.Cookie ??= new EngineCookieOptions();
                target.Name = cookie.Name ?? target.Name;
                target.Path = cookie.Path ?? target.Path;
                target.HttpOnly = cookie.HttpOnly ?? target.HttpOnly;
                target.SameSite = cookie.SameSite ?? target.SameSite;
                target.Domain = cookie.Domain ?? target.Domain;
                target.MaxAge = cookie.MaxAge ?? target.MaxAge;
                target.Secure = cookie.Secure ?? target.Secure;
            }
        }
    }

    /// <summary><c>SocketIo:HttpCompression</c>; <c>Enabled=false</c> turns it off.</summary>
    internal sealed class CompressionModel
    {
        public bool? Enabled { get; set; }
        public int? Threshold { get; set; }
    }

    /// <summary><c>SocketIo:PerMessageDeflate</c>; the section turns it on unless <c>Enabled=false</c>.</summary>
    internal sealed class DeflateModel
    {
        public bool? Enabled { get; set; }
        public int? Threshold { get; set; }
        public bool? ServerContextTakeover { get; set; }
        public int? ServerMaxWindowBits { get; set; }
    }

    /// <summary><c>SocketIo:ConnectionStateRecovery</c>; the section turns recovery on unless <c>Enabled=false</c>.</summary>
    internal sealed class RecoveryModel
    {
        public bool? Enabled { get; set; }
        public TimeSpan? MaxDisconnectionDuration { get; set; }
        public bool? SkipMiddlewares { get; set; }
        public int? MaxLoggedPackets { get; set; }
        public int? MaxSessions { get; set; }
    }

    /// <summary><c>SocketIo:Cookie</c>; the section turns the cookie on unless <c>Enabled=false</c>.</summary>
    internal sealed class CookieModel
    {
        public bool? Enabled { get; set; }
        public string? Name { get; set; }
        public string? Path { get; set; }
        public bool? HttpOnly { get; set; }
        public Microsoft.AspNetCore.Http.SameSiteMode? SameSite { get; set; }
        public string? Domain { get; set; }
        public TimeSpan? MaxAge { get; set; }
        public bool? Secure { get; set; }
    }
}

/// <summary>Checks the options once configured; with ValidateOnStart a bad value stops the host from starting.</summary>
internal sealed class SocketIoOptionsValidator : IValidateOptions<SocketIoServerOptions>
{
    public ValidateOptionsResult Validate(string? name, SocketIoServerOptions options)
    {
        var errors = new List<string>();
        options.CollectErrors(errors);
        if (errors.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        for (int i = 0; i < errors.Count; i++)
        {
            errors[i] = "SocketIoServerOptions." + errors[i];
        }

        return ValidateOptionsResult.Fail(errors);
    }
}
