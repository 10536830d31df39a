using BgpKit.MetalLb.Kubernetes.Sources;

namespace BgpKit.MetalLb.Kubernetes;

public sealed partial record KubernetesApiOptions
{
    /// <summary>
    /// The server and credentials of a kubeconfig context, found as kubectl finds them: the file
    /// <paramref name="path"/>; else the files listed in <c>KUBECONFIG</c> (merged: for each cluster,
    /// user and context name, and for <c>current-context</c>, the first file that sets it wins);
    /// else <c>~/.kube/config</c>. Reads the context <paramref name="context"/>, or the
    /// <c>current-context</c>: its cluster's <c>server</c>, <c>certificate-authority[-data]</c>,
    /// <c>insecure-skip-tls-verify</c> and <c>tls-server-name</c>; its user's <c>token</c>,
    /// <c>tokenFile</c> and <c>client-certificate[-data]</c>/<c>client-key[-data]</c> (PEM). Relative
    /// paths are relative to the directory of the file that holds the entry. The context's
    /// <c>namespace</c> is not MetalLB's namespace, so <see cref="Namespace"/> stays <c>metallb-system</c>.
    /// </summary>
    /// <param name="path">The kubeconfig file; null to look in <c>KUBECONFIG</c> and then <c>~/.kube/config</c>.</param>
    /// <param name="context">The context to use; null for the file's <c>current-context</c>.</param>
    /// <exception cref="InvalidOperationException">
    /// No kubeconfig was found, it is not valid YAML, the context, its cluster or its user is missing or
    /// malformed, or the user authenticates in a way this client does not support (<c>exec</c> plugins,
    /// <c>auth-provider</c>, basic auth). The message names the file, the entry, the field and what was
    /// expected; it never holds a token or a key.
    /// </exception>
    public static KubernetesApiOptions FromKubeconfig(string? path = null, string? context = null) =>
        Kubeconfig.Load(path, context, Environment.GetEnvironmentVariable);
}
