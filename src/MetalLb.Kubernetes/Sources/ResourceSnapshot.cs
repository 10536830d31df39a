using System.Buffers;
using System.IO.Hashing;
using System.Text;

namespace BgpKit.MetalLb.Kubernetes.Sources;

/// <summary>One manifest as read: where it came from (a file, or an API object) and its YAML or JSON text.</summary>
/// <param name="Origin">A file path, or <c>kind/namespace/name</c> for an API object; errors name it.</param>
/// <param name="Text">The YAML or JSON text (JSON is YAML, so the same reader takes both).</param>
internal sealed record ManifestDocument(string Origin, string Text);

/// <summary>A manifest that could not be read (missing file, permission), reported like a configuration error.</summary>
internal sealed record ReadFailure(string Origin, string Message);

/// <summary>
/// Every resource a source holds at one moment. The reconcile loop plans from whole snapshots, so a
/// source never needs to know what changed; <see cref="Fingerprint"/> lets it skip identical ones.
/// </summary>
internal sealed class ResourceSnapshot
{
    public ResourceSnapshot(string source, IReadOnlyList<ManifestDocument> documents, IReadOnlyList<ReadFailure> failures)
    {
        Source = source;
        Documents = documents;
        Failures = failures;
        Fingerprint = ComputeFingerprint(documents, failures);
    }

    /// <summary>Where the snapshot came from, for <c>show config</c> (paths, or the API server URL).</summary>
    public string Source { get; }

    public IReadOnlyList<ManifestDocument> Documents { get; }

    public IReadOnlyList<ReadFailure> Failures { get; }

    /// <summary>XXH128 over origins and texts, in order: equal fingerprints mean nothing changed.</summary>
    /// <remarks>
    /// Not SHA-256: this detects change, it is no defence (whoever writes the manifests sets the configuration anyway),
    /// and on Linux every cryptographic hash loads OpenSSL, about 5 MiB resident in a speaker that needs no TLS.
    /// </remarks>
    public string Fingerprint { get; }

    private static string ComputeFingerprint(IReadOnlyList<ManifestDocument> documents, IReadOnlyList<ReadFailure> failures)
    {
        var hash = new XxHash128();
        foreach (var document in documents)
        {
            AppendText(hash, "D");
            AppendText(hash, document.Origin);
            AppendText(hash, document.Text);
        }
        foreach (var failure in failures)
        {
            AppendText(hash, "F");
            AppendText(hash, failure.Origin);
            AppendText(hash, failure.Message);
        }
        return Convert.ToHexString(hash.GetCurrentHash());
    }

    private static void AppendText(XxHash128 hash, string text)
    {
        // Into a pooled buffer: a snapshot of a whole cluster is hashed on every change, and a new array per object
        // per snapshot was most of what a planning process allocated outside the plan itself.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            var count = Encoding.UTF8.GetBytes(text, buffer);
            // Length-prefixed so that ("ab","c") and ("a","bc") differ.
            Span<byte> length = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, count);
            hash.Append(length);
            hash.Append(buffer.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
