namespace GeoTwin.DataImport.Import;

/// <summary>The whole file is refused (unreadable, unknown CRS, unsafe archive...): the message says why, for a person.</summary>
public sealed class ImportRefusedException(string message, Exception? inner = null) : Exception(message, inner);
