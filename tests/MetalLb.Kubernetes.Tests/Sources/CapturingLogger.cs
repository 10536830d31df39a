using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace BgpKit.MetalLb.Kubernetes.Tests.Sources;

/// <summary>A logger that keeps every formatted message and exception text, to check what reaches logs.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)}" + (exception is null ? "" : " " + exception));
}
