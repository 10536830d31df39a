namespace BgpKit.TestSupport;

/// <summary>The RBAC hook: who a bearer token is, and whether they may do what they ask.</summary>
public sealed partial class FakeApiServer
{
    /// <summary>
    /// Decides each resource request (discovery is always allowed, as system:discovery is): verb
    /// (get, list, watch, create, update, patch, delete, deletecollection), API group ("" for
    /// core), resource (plural), subresource, namespace (null for cluster scope or all
    /// namespaces) and user. False answers 403 Forbidden as the real authorizer does. Null allows all.
    /// </summary>
    public Func<(string Verb, string Group, string Resource, string? Subresource, string? Namespace, string User), bool>? Authorizer { get; set; }

    /// <summary>
    /// The same decision with the object's name, for rules limited by <c>resourceNames</c> (such as
    /// <see cref="RbacAuthorizer"/>); consulted after <see cref="Authorizer"/>. Null allows all.
    /// </summary>
    public Func<AuthorizationRequest, bool>? RequestAuthorizer { get; set; }

    /// <summary>Bearer token to user name; requests without a known token are system:anonymous.</summary>
    public Dictionary<string, string> TokenUsers { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The real message: <c>services "x" is forbidden: User "u" cannot patch resource
    /// "services/status" in API group "" in the namespace "ns"</c> (no quoted name for a
    /// collection; "at the cluster scope" without a namespace).
    /// </summary>
    private static Reply Forbidden(ResourcePath path, string verb, string user)
    {
        var what = path.Name is null ? path.Qualified : $"{path.Qualified} \"{path.Name}\"";
        var resource = path.Subresource is null ? path.Plural : path.Plural + "/" + path.Subresource;
        var scope = path.Namespace is null ? "at the cluster scope" : $"in the namespace \"{path.Namespace}\"";
        return Failure(403, "Forbidden", $"{what} is forbidden: User \"{user}\" cannot {verb} resource \"{resource}\" in API group \"{path.Group}\" {scope}", path);
    }
}
