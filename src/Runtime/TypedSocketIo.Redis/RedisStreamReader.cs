using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace TypedSocketIo.Redis;

/// <summary>
/// Reads one stream for every namespace that uses it (the reference polls each stream once per
/// process): a blocking <c>XREAD</c> on a connection of its own (blocking commands would hold up
/// the shared one), entries handed to the namespace's transport in stream order. It starts after
/// the stream's last entry and stops when its last namespace leaves.
/// </summary>
internal sealed class RedisStreamReader
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly RedisConnection _connection;
    private readonly RedisStreamsAdapterOptions _options;
    private readonly string _stream;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, RedisStreamsTransport> _transports = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _delivering = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _loop;
    private string? _cursor;

    public RedisStreamReader(RedisConnection connection, RedisStreamsAdapterOptions options, string stream, ILogger? logger)
    {
        _connection = connection;
        _options = options;
        _stream = stream;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Completes once the reader knows where the stream ends (entries after that are delivered).</summary>
    public Task Ready => _ready.Task;

    public void Add(RedisStreamsTransport transport)
    {
        _transports[transport.Namespace] = transport;
        lock (_transports)
        {
            _loop ??= Task.Run(RunAsync);
        }
    }

    /// <summary>Removes a namespace; true when it was the last one (the reader then stops).</summary>
    public bool Remove(RedisStreamsTransport transport)
    {
        _transports.TryRemove(new KeyValuePair<string, RedisStreamsTransport>(transport.Namespace, transport));
        if (!_transports.IsEmpty)
        {
            return false;
        }

        _stop.Cancel();
        return true;
    }

    /// <summary>Runs <paramref name="action"/> between two deliveries, with the id of the last entry delivered.</summary>
    public async Task<T> RunBetweenDeliveriesAsync<T>(Func<string?, Task<T>> action)
    {
        await Ready.WaitAsync(_options.RequestsTimeout).ConfigureAwait(false);
        if (!await _delivering.WaitAsync(_options.RequestsTimeout).ConfigureAwait(false))
        {
            throw new TimeoutException("The stream reader was busy for longer than RequestsTimeout.");
        }

        try
        {
            return await action(Volatile.Read(ref _cursor)).ConfigureAwait(false);
        }
        finally
        {
            _delivering.Release();
        }
    }

    private async Task RunAsync()
    {
        ConnectionMultiplexer? reader = null;
        try
        {
            ConfigurationOptions configuration = ConfigurationOptions.Parse(_connection.Multiplexer.Configuration);
            configuration.AbortOnConnectFail = false;
            int blockMs = (int)_options.BlockTime.TotalMilliseconds;
            configuration.AsyncTimeout = Math.Max(configuration.AsyncTimeout, blockMs + 5000);
            configuration.SyncTimeout = Math.Max(configuration.SyncTimeout, blockMs + 5000);
            reader = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
            IDatabase db = reader.GetDatabase();
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (_cursor is null)
                    {
                        StreamEntry[] last = await db.StreamRangeAsync(_stream, "-", "+", 1, Order.Descending).ConfigureAwait(false);
                        Volatile.Write(ref _cursor, last.Length == 0 ? "0-0" : (string)last[0].Id!);
                        _ready.TrySetResult();
                    }

                    RedisResult result = await db.ExecuteAsync("XREAD", "COUNT", _options.ReadCount, "BLOCK", blockMs, "STREAMS", _stream, _cursor).ConfigureAwait(false);
                    if (!result.IsNull)
                    {
                        await DeliverAsync((RedisResult[])result!).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    RedisLog.StreamReadFailed(_logger, _stream, ex);
                    await Task.Delay(RetryDelay, _stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            RedisLog.StreamReadFailed(_logger, _stream, ex);
        }
        finally
        {
            _ready.TrySetResult();
            if (reader is not null)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Hands the entries of one XREAD answer to their namespaces, in order: <c>[[stream, entries]]</c>
    /// over RESP2, <c>{stream: entries}</c> (read flat) over RESP3; entries <c>[[id, [field, value, …]], …]</c>.
    /// </summary>
    private async Task DeliverAsync(RedisResult[] streams)
    {
        await _delivering.WaitAsync().ConfigureAwait(false);
        try
        {
            for (int s = 0; s < streams.Length; s++)
            {
                RedisResult entries = streams[s].Resp2Type == ResultType.Array ? ((RedisResult[])streams[s]!)[1] : streams[++s];
                foreach (RedisResult entry in (RedisResult[])entries!)
                {
                    RedisResult[] idAndFields = (RedisResult[])entry!;
                    string id = (string)idAndFields[0]!;
                    RedisResult[] values = (RedisResult[])idAndFields[1]!;
                    var fields = new Dictionary<string, string>(values.Length / 2, StringComparer.Ordinal);
                    for (int i = 0; i + 1 < values.Length; i += 2)
                    {
                        fields[(string)values[i]!] = (string)values[i + 1]!;
                    }

                    Volatile.Write(ref _cursor, id);
                    if (fields.TryGetValue("nsp", out string? nsp) && _transports.TryGetValue(nsp, out RedisStreamsTransport? transport))
                    {
                        try
                        {
                            transport.OnEntry(fields, id);
                        }
                        catch (Exception ex)
                        {
                            RedisLog.StreamReadFailed(_logger, _stream, ex); // one entry's handling never stops the reader
                        }
                    }
                }
            }
        }
        finally
        {
            _delivering.Release();
        }
    }
}
