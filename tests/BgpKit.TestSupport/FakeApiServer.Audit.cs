using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace BgpKit.TestSupport;

/// <summary>
/// Who did what: every request with the user its bearer token names (see <see cref="TokenUsers"/>)
/// and the status code it got, as the real server's audit log records them. Tests that run several
/// clients at once (controller replicas) give each its own token and attribute writes with this.
/// </summary>
public sealed partial class FakeApiServer
{
    /// <summary>Every finished request in completion order (a WATCH when its stream ends).</summary>
    public ConcurrentQueue<AuditRecord> Audit { get; } = new();

    private void RecordAudit(long arrived, HttpListenerRequest request, HttpListenerResponse response)
    {
        var bearer = request.Headers["Authorization"] is { } header && header.StartsWith("Bearer ", StringComparison.Ordinal) ? header["Bearer ".Length..] : null;
        var user = bearer is not null && TokenUsers.TryGetValue(bearer, out var named) ? named : "system:anonymous";
        int code;
        try
        {
            code = response.StatusCode;
        }
        catch (ObjectDisposedException)
        {
            code = 0;
        }
        Audit.Enqueue(new AuditRecord(arrived, user, request.HttpMethod, request.Url?.AbsolutePath ?? "", code));
    }
}

/// <summary>One request as the fake API server saw it.</summary>
/// <param name="Arrived">When it arrived (<see cref="Stopwatch.GetTimestamp"/>).</param>
/// <param name="User">The user its bearer token names, or <c>system:anonymous</c>.</param>
/// <param name="Method">GET, POST, PUT, PATCH, DELETE.</param>
/// <param name="Path">The path without the query.</param>
/// <param name="Code">The HTTP status code answered (0 when unknown).</param>
public sealed record AuditRecord(long Arrived, string User, string Method, string Path, int Code)
{
    /// <summary>True for POST, PUT, PATCH and DELETE.</summary>
    public bool IsWrite => Method is "POST" or "PUT" or "PATCH" or "DELETE";

    /// <summary>True when the server accepted it (2xx).</summary>
    public bool Accepted => Code is >= 200 and < 300;
}
