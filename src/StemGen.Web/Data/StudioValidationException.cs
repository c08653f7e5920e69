namespace StemGen.Web.Data;

/// <summary>A request that breaks a rule (empty name, unknown user...): the message says what to fix.</summary>
public class StudioValidationException(string message) : Exception(message);
